/** A decision's comment: labelled, at most 2000 characters, controlled so a refused decision keeps what was typed. */
export function CommentField({ id, placeholder, value, onChange, invalid = false, describedBy }: {
  id: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
  /** The id of the error shown beside the form, when there is one. */
  describedBy?: string;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        Comment
      </label>
      <textarea
        id={id}
        name="comment"
        rows={2}
        maxLength={2000}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-surface px-3 py-2 text-sm shadow-sm placeholder:text-slate-600 focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
      />
    </div>
  );
}
