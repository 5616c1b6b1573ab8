import type pg from "pg";

/**
 * Session settings that make PostgreSQL notice a dead worker within seconds, so the advisory locks
 * of its sessions (a run's, a unit's) free themselves and another worker takes the work over. A
 * killed process closes its sockets and the server sees that at once between statements; during a
 * long statement it sees it at the next connection check (every second). A machine that vanishes
 * closes nothing: TCP keepalives (5 s idle, then 3 probes 2 s apart) end its sessions after about
 * 11 s. Harmless on a pooled session later used for something else; best effort, because a
 * platform without these socket options refuses them, and the locks then free on PostgreSQL's
 * defaults.
 */
export async function noticeDeadWorker(db: pg.ClientBase): Promise<void> {
  try {
    await db.query(
      `SELECT set_config('tcp_keepalives_idle', '5', false), set_config('tcp_keepalives_interval', '2', false),
              set_config('tcp_keepalives_count', '3', false), set_config('client_connection_check_interval', '1s', false)`,
    );
  } catch {
    // Not available on this platform (or connection): the defaults apply.
  }
}
