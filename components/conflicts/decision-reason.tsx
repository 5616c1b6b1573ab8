/** The "Why" a lead must give with a decision on merge conflicts, sent as the form's `comment`. */
export function DecisionReason({ id, placeholder }: { id: string; placeholder: string }) {
  return (
    <div className="min-w-72 flex-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        Why
      </label>
      <input
        id={id}
        name="comment"
        required
        maxLength={2000}
        placeholder={placeholder}
        className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
      />
    </div>
  );
}
