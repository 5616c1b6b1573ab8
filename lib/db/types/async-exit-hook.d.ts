/** async-exit-hook 2.x (no published types): the parts Unify uses. */
declare module "async-exit-hook" {
  interface AsyncExitHook {
    (hook: (done?: () => void) => void): void;
    /** Stops listening to one process event the hooks were registered on (throws if it is not hooked). */
    unhookEvent(event: string): void;
    /** The process events the hooks listen to now. */
    hookedEvents(): string[];
  }
  const hook: AsyncExitHook;
  export default hook;
}
