import { useEffect, useId, useRef, useState } from 'react';
import { formatTime } from '../../components/ui';

export interface IssuedToken {
  token: string;
  staffName: string;
  label: string | null;
  expiresAt: string | null;
}

/**
 * The one time a token is visible: a modal with a Copy button. It is never put in
 * storage or the address; closing the dialog drops it from the page's state.
 */
export function IssuedTokenDialog({ issued, onDismiss }: { issued: IssuedToken; onDismiss(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const tokenText = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const titleId = useId();

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  const copyToken = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(issued.token);
      setCopy('copied');
    } catch {
      setCopy('failed');
      // Select it, so copying by hand is one keystroke.
      if (tokenText.current) window.getSelection()?.selectAllChildren(tokenText.current);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="adm-dialog"
      aria-labelledby={titleId}
      // Escape would lose a secret that cannot be shown again: closing takes the explicit button.
      onCancel={(e) => e.preventDefault()}
      onClose={onDismiss}
    >
      <h2 id={titleId}>New token for {issued.staffName}</h2>
      <p className="adm-warning">
        <strong>Copy it now: it will not be shown again.</strong> Only its hash is kept; if it is lost, revoke it and issue another.
      </p>
      <code ref={tokenText} className="adm-secret" aria-label="New token">
        {issued.token}
      </code>
      <p className="muted">
        {issued.label ? `Label “${issued.label}”, ` : ''}
        {issued.expiresAt ? `expires ${formatTime(issued.expiresAt)}` : 'does not expire'}. Hand it to {issued.staffName} over a channel you trust.
      </p>
      <p role="status" aria-live="polite" className={copy === 'failed' ? 'field-error' : 'adm-ok'}>
        {copy === 'copied' && 'Copied to the clipboard.'}
        {copy === 'failed' && 'The browser refused to copy. The token is selected: copy it by hand (Ctrl+C or ⌘C).'}
      </p>
      <div className="adm-actions">
        <button type="button" onClick={() => void copyToken()}>
          Copy
        </button>
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Done, I have stored it
        </button>
      </div>
    </dialog>
  );
}
