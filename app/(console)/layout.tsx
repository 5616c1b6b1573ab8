import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { Shell } from "@/components/layout/shell";
import { currentOperator } from "@/lib/auth/current";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const operator = await currentOperator();
  if (!operator) redirect("/login");
  return <Shell operator={operator}>{children}</Shell>;
}
