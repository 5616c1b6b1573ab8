/** Demo data for `npm start`: filled in by the legacy generator (issue 3) on an empty database. */
export async function prepareDemo(): Promise<void> {}
