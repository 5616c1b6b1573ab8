import Link from "next/link";
import { Shell } from "@/components/layout/shell";
import { currentOperator } from "@/lib/auth/current";

function Missing() {
  return (
    <div className="flex flex-col items-center justify-center px-4 py-24 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">Page not found</h1>
      <p className="mt-2 text-sm text-slate-600">There is nothing at this address.</p>
      <Link href="/" className="mt-6 text-sm font-medium text-brand-600 hover:text-brand-700">
        Back to the overview
      </Link>
    </div>
  );
}

/** A signed-in operator keeps the sidebar on an unknown address; anyone else sees the bare page. */
export default async function NotFound() {
  const operator = await currentOperator();
  if (operator) {
    return (
      <Shell operator={operator}>
        <Missing />
      </Shell>
    );
  }
  return (
    <main className="flex min-h-screen flex-col items-center justify-center">
      <Missing />
    </main>
  );
}
