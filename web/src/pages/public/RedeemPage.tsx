import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAction } from '../../components/use-load';
import { saveFile } from '../../components/save-file';
import { ErrorNote } from '../../components/ui';
import { LinkNotUsable, PublicLayout } from './PublicLayout';

/**
 * /r/<token>: new backup codes, shown once. Nothing is fetched until the person clicks:
 * a mail scanner that follows the link must not use up the envelope.
 */
export function RedeemPage() {
  const { token = '' } = useParams();
  const [codes, setCodes] = useState<string[]>();
  const reveal = useAction(async () => setCodes((await unwrap(api.POST('/v1/deliveries/redeem', { body: { token } }))).codes));

  if (reveal.error && reveal.error.status !== 0) return <LinkNotUsable error={reveal.error} />;
  if (codes) return <Codes codes={codes} />;
  return (
    <PublicLayout title="Your new backup codes are ready">
      <p>The help desk has issued new backup codes for your account. Your old codes no longer work.</p>
      <p>
        Make sure nobody can see your screen, then show the codes. <strong>They are shown once:</strong> this link stops working as soon as you open them.
      </p>
      <ErrorNote error={reveal.error} />
      <button type="button" onClick={() => void reveal.run()} disabled={reveal.busy}>
        {reveal.busy ? 'Opening…' : 'Show my codes'}
      </button>
    </PublicLayout>
  );
}

function Codes({ codes }: { codes: string[] }) {
  const [copied, setCopied] = useState<string>();
  const text = `Backup codes — each works once\n\n${codes.join('\n')}\n`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied. Paste them into your password manager.');
    } catch {
      setCopied('Copying is not allowed here: select the codes and copy them, or download them.');
    }
  };

  const download = () => saveFile(new Blob([text], { type: 'text/plain' }), 'backup-codes.txt');

  return (
    <PublicLayout title="Your new backup codes">
      <p className="notice" role="status">
        <strong>You will not see these again.</strong> Store them now, somewhere only you can reach (a password manager is best).
      </p>
      <ol className="codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="row">
        <button type="button" onClick={() => void copy()}>
          Copy codes
        </button>
        <button type="button" className="secondary" onClick={download}>
          Download .txt
        </button>
      </div>
      {copied && <p role="status">{copied}</p>}
      <p className="muted">Each code works once. If you did not ask for new codes, call the help desk on the number in your company directory.</p>
    </PublicLayout>
  );
}
