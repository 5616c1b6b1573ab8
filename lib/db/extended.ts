import type pg from "pg";

/**
 * A session whose every query goes over PostgreSQL's extended protocol: one statement per call,
 * so a statement that smuggles in a second one (`…; DROP TABLE …`) is refused by the server
 * ("cannot insert multiple commands into a prepared statement") instead of run. The engine hands
 * steps only such sessions.
 */
export function extendedSession<T extends pg.ClientBase>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== "query") {
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (text: string | pg.QueryConfig, values?: unknown[]) => {
        const config: pg.QueryConfig & { queryMode: "extended" } =
          typeof text === "string" ? { text, values: values ?? [], queryMode: "extended" } : { ...text, values: text.values ?? values ?? [], queryMode: "extended" };
        return target.query(config);
      };
    },
  });
}
