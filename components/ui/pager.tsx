import Link from "next/link";

/** "N items · page P of Q" with links to the neighbouring pages. */
export function Pager({ summary, page, pages, href, previousLabel = "Previous", nextLabel = "Next" }: {
  summary: string;
  page: number;
  pages: number;
  href: (page: number) => string;
  previousLabel?: string;
  nextLabel?: string;
}) {
  const link = "rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50";
  return (
    <div className="mt-4 flex items-center justify-between text-sm text-slate-600">
      <span>
        {summary} · page {page} of {pages}
      </span>
      <div className="flex gap-2">
        {page > 1 && (
          <Link className={link} href={href(page - 1)}>
            {previousLabel}
          </Link>
        )}
        {page < pages && (
          <Link className={link} href={href(page + 1)}>
            {nextLabel}
          </Link>
        )}
      </div>
    </div>
  );
}
