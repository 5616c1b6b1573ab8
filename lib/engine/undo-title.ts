/** A rollback's step is the undoing of what the step once did: its log and its pages say so. */
export function undoTitle(title: string): string {
  return `Undo: ${title}`;
}
