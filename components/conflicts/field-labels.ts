/** Field names as people say them; the column name stays in the tooltip. */
export const FIELD_LABELS: Record<string, string> = {
  full_name: "Full name",
  is_active: "Active",
  duplicate_row: "Duplicate row",
  email: "Email",
  role: "Role",
  department: "Department",
  team: "Team",
  country: "Country",
  manager: "Manager",
  manager_email: "Manager email",
  manager_cycle: "Manager loop",
  hire_date: "Hire date",
  status: "Status",
};
