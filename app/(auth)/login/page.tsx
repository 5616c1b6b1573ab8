import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { currentOperator } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (await currentOperator()) redirect("/");
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-11 w-11 items-center justify-center rounded-xl bg-primary text-lg font-bold text-on-fill">U</div>
          <h1 className="text-xl font-semibold text-slate-900">Sign in to Unify</h1>
          <p className="mt-1 text-sm text-slate-600">The migration console for the QA-audit database</p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-surface p-6 shadow-sm">
          <LoginForm />
        </div>
      </div>
    </main>
  );
}
