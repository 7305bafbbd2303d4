import { signal } from '@preact/signals';
import type { MessageKey } from '../i18n';
import { health, type HealthOutcome } from './api';

export type Tone = 'checking' | 'ok' | 'down' | 'offline';

export interface SystemStatus {
  tone: Tone;
  messages: MessageKey[];
  version: string | null;
}

// A dependency named in `checks` and the message shown when it is not "ok".
const CHECK_MESSAGES: Record<string, MessageKey> = {
  table: 'status.tableDown',
  bucket: 'status.bucketDown',
};

/** What the status line says for one answer (or non-answer) of GET /api/health. */
export function describeHealth(outcome: HealthOutcome): SystemStatus {
  if (outcome.kind === 'offline') return { tone: 'offline', messages: ['status.offline'], version: null };
  if (outcome.kind === 'invalid') return { tone: 'down', messages: ['status.unknown'], version: null };

  const { report } = outcome;
  const down = Object.entries(report.checks).filter(([, state]) => state !== 'ok').map(([name]) => name);
  if (down.length === 0 && report.status === 'ok') {
    return { tone: 'ok', messages: ['status.ok'], version: report.version };
  }
  const messages = [...new Set(down.map((name) => CHECK_MESSAGES[name] ?? 'status.partDown'))];
  return {
    tone: 'down',
    messages: messages.length ? messages : ['status.unavailable'],
    version: report.version,
  };
}

export const systemStatus = signal<SystemStatus>({
  tone: 'checking',
  messages: ['status.checking'],
  version: null,
});

let latestRequest = 0;

export async function refreshSystemStatus(): Promise<void> {
  const request = ++latestRequest;
  const outcome = await health();
  if (request === latestRequest) systemStatus.value = describeHealth(outcome); // drop stale answers
}

/** Keep `systemStatus` current: now, every `intervalMs`, and when the network or tab comes back. */
export function watchSystemStatus(intervalMs = 30_000): () => void {
  const refresh = () => void refreshSystemStatus();
  const onVisible = () => document.visibilityState === 'visible' && refresh();
  refresh();
  const timer = setInterval(onVisible, intervalMs); // a hidden tab does not poll
  addEventListener('online', refresh);
  addEventListener('offline', refresh);
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    clearInterval(timer);
    removeEventListener('online', refresh);
    removeEventListener('offline', refresh);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
