/** A row of toggle chips, one pressed: a list's filter. */
export function FilterChips<T extends string>({
  options,
  value,
  onChange,
  legend,
}: {
  options: ReadonlyArray<{ value: T; label: string }>;
  value: T;
  onChange: (value: T) => void;
  legend: string;
}) {
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">{legend}</legend>
      {options.map((option) => (
        <button
          key={option.label}
          type="button"
          className="chip"
          aria-pressed={value === option.value}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </fieldset>
  );
}
