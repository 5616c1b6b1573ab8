"use client";

import { TypedConfirmForm } from "@/components/ui/typed-confirm-form";
import { rollbackToLegacyAction } from "@/lib/actions/flags";

/** "Roll back to legacy": every flag off at once, confirmed by typing the word; shows the measured time. */
export function RollbackToLegacy({ word }: { word: string }) {
  return <TypedConfirmForm word={word} action={rollbackToLegacyAction} label="Roll back to legacy" pendingLabel="Rolling back…" ignoreCase resultTestId="rollback-result" />;
}
