"use client";

import { useActionState, useState, useTransition } from "react";
import { createApiKeyAction, revokeApiKeyAction } from "@/lib/actions/flags";
import type { ActionResult } from "@/lib/auth/current";
import type { ApiKeyView } from "@/lib/flags/api-keys";
import { formatTime } from "@/components/phases/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";

type Issued = ActionResult<{ key: string; name: string }>;

/** Settings → API keys: issue (the key is shown once), see last use, revoke. */
export function ApiKeysSection({ keys }: { keys: ApiKeyView[] }) {
  const [state, action, pending] = useActionState<Issued | null, FormData>(createApiKeyAction, null);
  return (
    <section aria-label="API keys" className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="border-b border-slate-100 px-5 py-4">
        <h2 className="text-base font-semibold text-slate-900">API keys</h2>
        <p className="mt-0.5 text-sm text-slate-500">
          Applications read the feature flags over OFREP with one of these keys. A key is shown once when it is issued; only its hash is kept.
        </p>
      </header>
      <div className="space-y-4 px-5 py-4">
        <form action={action} className="flex flex-wrap items-end gap-3" key={state?.ok ? state.data?.key : "form"}>
          <div className="w-72">
            <Field id="api-key-name" name="name" label="Application" placeholder="billing-service" defaultValue={state && !state.ok ? String(state.values?.name ?? "") : ""} error={state && !state.ok ? state.fieldErrors?.name : undefined} />
          </div>
          <Button type="submit" disabled={pending}>{pending ? "Issuing…" : "Issue key"}</Button>
        </form>
        {state?.ok && state.data && (
          <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            <p>{state.message}</p>
            <p className="mt-1 break-all font-mono text-xs" data-testid="issued-api-key">{state.data.key}</p>
          </div>
        )}
        {state && !state.ok && !state.fieldErrors?.name && <p role="alert" className="text-sm text-red-600">{state.error}</p>}
        {keys.length === 0 ? (
          <p className="text-sm text-slate-500">No key issued yet.</p>
        ) : (
          <Table label="API keys">
            <thead className="bg-slate-50">
              <tr>
                <Th>Name</Th>
                <Th>Key</Th>
                <Th>Issued</Th>
                <Th>Last used</Th>
                <Th>Status</Th>
                <Th><span className="sr-only">Actions</span></Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.map((k) => (
                <tr key={k.id} data-testid={`api-key-${k.name}`}>
                  <Td className="font-medium text-slate-900">{k.name}</Td>
                  <Td className="font-mono text-xs">{k.prefix}…</Td>
                  <Td>{formatTime(k.createdAt)} by {k.createdBy}</Td>
                  <Td>{k.lastUsedAt ? formatTime(k.lastUsedAt) : "never"}</Td>
                  <Td>{k.revokedAt ? <Badge tone="danger">revoked {formatTime(k.revokedAt)}</Badge> : <Badge tone="success">live</Badge>}</Td>
                  <Td>{!k.revokedAt && <RevokeButton name={k.name} />}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
    </section>
  );
}

function RevokeButton({ name }: { name: string }) {
  const [pending, start] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return (
      <Button variant="secondary" className="px-2.5 py-1 text-xs text-red-700" onClick={() => setConfirming(true)}>
        Revoke…
      </Button>
    );
  }
  return (
    <span className="flex items-center gap-2 text-xs text-red-800">
      Applications using it get 401.
      <Button
        variant="danger"
        className="px-2 py-0.5 text-xs"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const result = await revokeApiKeyAction(name);
            setError(result.ok ? null : result.error);
            setConfirming(false);
          })
        }
      >
        Revoke {name}
      </Button>
      <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={() => setConfirming(false)}>Cancel</Button>
      {error && <span role="alert">{error}</span>}
    </span>
  );
}
