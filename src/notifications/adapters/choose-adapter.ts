import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../../config/env.validation';
import { redactUrl } from '../../common/redact-url';
import { ByChannelAdapter } from './by-channel.adapter';
import { FileAdapter } from './file.adapter';
import { NotificationAdapter } from './notification-adapter';
import { SmtpAdapter } from './smtp.adapter';
import { WebhookAdapter } from './webhook.adapter';

/**
 * The adapter NOTIFY_ADAPTER names. `smtp` carries e-mail only: SMS keep going
 * where they would go without it (the webhook gateway when one is configured,
 * else the file inbox), so choosing SMTP for e-mail never silences the
 * registered phone, which hears of every reissue request too.
 */
export function chooseAdapter(config: ConfigService<Env, true>): NotificationAdapter {
  const setting = <K extends keyof Env>(key: K) => config.get(key, { infer: true }) as Env[K];
  const file = () => new FileAdapter(setting('NOTIFY_FILE'));
  const webhookUrl = setting('NOTIFY_WEBHOOK_URL');
  const webhookSecret = setting('NOTIFY_WEBHOOK_SECRET');
  const webhook = () => new WebhookAdapter(webhookUrl!, webhookSecret!);
  const adapter = setting('NOTIFY_ADAPTER');
  if (adapter === 'webhook') return webhook();
  if (adapter !== 'smtp') return file();
  const smtpUrl = setting('SMTP_URL')!;
  const gateway = Boolean(webhookUrl && webhookSecret);
  new Logger('Notifications').log(
    `e-mail by SMTP through ${redactUrl(smtpUrl)}; SMS ${gateway ? `to the webhook gateway ${redactUrl(webhookUrl!)}` : `to the file inbox ${setting('NOTIFY_FILE')}`}`,
  );
  return new ByChannelAdapter({ email: new SmtpAdapter(smtpUrl, setting('SMTP_FROM')), sms: gateway ? webhook() : file() });
}
