import type { ReactNode } from "react";
import { signOut } from "@/lib/actions/auth";
import { AREAS, hasAnyRole, ROLE_LABELS, type Role } from "@/lib/auth/roles";
import { Badge } from "@/components/ui/badge";
import { Nav } from "./nav";

export function Shell({ operator, children }: { operator: { name: string; email: string; roles: Role[] }; children: ReactNode }) {
  const items = AREAS.filter((a) => hasAnyRole(operator.roles, a.roles)).map(({ href, label }) => ({ href, label }));
  return (
    <div className="flex min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-surface px-3 py-2 text-sm font-medium text-brand-700 shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        Skip to content
      </a>
      {/* The column runs the page's whole height; the sidebar inside it stays in view while the page scrolls. */}
      <div className="w-56 shrink-0 border-r border-slate-200 bg-surface">
        <aside className="sticky top-0 flex h-screen flex-col px-3 py-4">
          <div className="mb-6 flex items-center gap-2 px-3">
            <div className="flex h-8 w-8 items-center justify-center rounded-lg bg-primary text-sm font-bold text-on-fill">U</div>
            <span className="text-base font-semibold">Unify</span>
          </div>
          <Nav items={items} />
          <div className="mt-auto border-t border-slate-100 px-3 pt-4">
            <p className="truncate text-sm font-medium text-slate-900" data-testid="operator-name">{operator.name}</p>
            <p className="truncate text-xs text-slate-600">{operator.email}</p>
            <div className="mt-2 flex flex-wrap gap-1">
              {operator.roles.map((r) => (
                <Badge key={r} tone="info">{ROLE_LABELS[r]}</Badge>
              ))}
            </div>
            <form action={signOut} className="mt-3">
              <button type="submit" className="text-sm font-medium text-slate-600 hover:text-slate-900">
                Sign out
              </button>
            </form>
          </div>
        </aside>
      </div>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-8 py-8 focus:outline-none">
        {children}
      </main>
    </div>
  );
}
