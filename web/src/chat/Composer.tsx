import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';

interface Props {
  disabled: boolean;
  onSend(text: string): void;
  placeholder: string;
}

const MAX_ROWS_PX = 200;

/** Enter sends, Shift+Enter adds a line; the box grows with its text up to a limit. */
export function Composer({ disabled, onSend, placeholder }: Props) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the height follows the text, read through the element.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_ROWS_PX)}px`;
  }, [text]);
  useEffect(() => {
    if (!disabled) box.current?.focus();
  }, [disabled]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || disabled) return;
    onSend(message);
    setText('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };
  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="chat-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="chat-input"
        ref={box}
        rows={1}
        value={text}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="primary" disabled={disabled || !text.trim()} aria-label="Send message">
        Send
      </button>
    </form>
  );
}
