/** The three operator roles; an operator may hold several. */
export const ROLES = ["admin", "lead", "analyst"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  lead: "Team lead",
  analyst: "Analyst",
};

export function hasAnyRole(held: readonly Role[], allowed: readonly Role[]): boolean {
  return held.some((r) => allowed.includes(r));
}

/** Who may open each area of the console. The navigation and the page guards both read this. */
export const AREAS = [
  { href: "/", label: "Overview", roles: ["admin", "lead", "analyst"] },
  { href: "/inventory", label: "Source", roles: ["admin", "lead", "analyst"] },
  { href: "/phases", label: "Phases", roles: ["admin", "lead", "analyst"] },
  // Leads override merge choices; admins and analysts read them.
  { href: "/conflicts", label: "Conflicts", roles: ["admin", "lead", "analyst"] },
  { href: "/validation", label: "Validation", roles: ["admin", "lead", "analyst"] },
  { href: "/orphans", label: "Orphans", roles: ["admin", "lead", "analyst"] },
  { href: "/schema", label: "Schema", roles: ["admin", "lead", "analyst"] },
  { href: "/analytics", label: "Analytics", roles: ["admin", "lead", "analyst"] },
  // Admins toggle flags; leads and analysts read them.
  { href: "/flags", label: "Flags", roles: ["admin", "lead", "analyst"] },
  { href: "/employees", label: "Employees", roles: ["admin", "lead", "analyst"] },
  { href: "/activity", label: "Activity", roles: ["admin", "lead"] },
  { href: "/settings", label: "Settings", roles: ["admin"] },
] as const satisfies readonly { href: string; label: string; roles: readonly Role[] }[];

export type AreaHref = (typeof AREAS)[number]["href"];

export function rolesFor(href: AreaHref): readonly Role[] {
  const area = AREAS.find((a) => a.href === href);
  if (!area) throw new Error(`unknown area ${href}`);
  return area.roles;
}
