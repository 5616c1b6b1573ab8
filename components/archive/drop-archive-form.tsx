"use client";

import { TypedConfirmForm } from "@/components/ui/typed-confirm-form";
import { dropArchiveAction } from "@/lib/actions/archive";

/** Drops the archive for good, confirmed by typing the archive schema's name; disabled (with why) before the retention date. */
export function DropArchiveForm({ word, allowed, reason }: { word: string; allowed: boolean; reason: string }) {
  return <TypedConfirmForm word={word} action={dropArchiveAction} label="Drop the archive" pendingLabel="Dropping…" allowed={allowed} note={reason} inputClassName="w-56" />;
}
