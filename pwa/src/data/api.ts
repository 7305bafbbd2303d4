// The one way the app talks to the ServiceLane API (same origin as the PWA).

export interface HealthReport {
  status: string; // "ok" | "unavailable"
  version: string;
  checks: Record<string, string>; // each dependency: "ok" | "unreachable"
}

export type HealthOutcome =
  | { kind: 'report'; httpStatus: number; report: HealthReport }
  | { kind: 'invalid'; httpStatus: number } // an answer, but not the health JSON
  | { kind: 'offline' }; // no answer at all

const TIMEOUT_MS = 8000;

function isHealthReport(body: unknown): body is HealthReport {
  const value = body as HealthReport | null;
  return (
    typeof value === 'object' && value !== null &&
    typeof value.status === 'string' &&
    typeof value.version === 'string' &&
    typeof value.checks === 'object' && value.checks !== null
  );
}

/** GET /api/health. 503 is a normal answer here: its body says which part is down. */
export async function health(fetchImpl: typeof fetch = fetch): Promise<HealthOutcome> {
  let response: Response;
  try {
    response = await fetchImpl('/api/health', {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    return { kind: 'offline' };
  }
  try {
    const body: unknown = await response.json();
    if (isHealthReport(body)) return { kind: 'report', httpStatus: response.status, report: body };
  } catch {
    // not JSON: fall through
  }
  return { kind: 'invalid', httpStatus: response.status };
}
