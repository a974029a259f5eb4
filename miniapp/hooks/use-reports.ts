import { useState } from 'react';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { useResource } from './use-resource.ts';
import { localTimeZone } from './use-search.ts';
import { saveBlob } from './use-visitor-data.ts';

export type ReportPreset = '7' | '30' | '90';

/** `YYYY-MM-DD` of a moment in a time zone. */
export function dayIn(at: Date, timeZone: string) {
  const formatted = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => formatted.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The last `days` days up to today, in `timeZone`. */
export function lastDays(days: number, timeZone: string, now = new Date()) {
  const to = dayIn(now, timeZone);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

const reason = (failure: unknown) =>
  failure instanceof ApiError ? failure.message : 'No connection to the server. Try again in a moment.';

/** Reports for the last 7 / 30 / 90 days in the agent's time zone; the CSV download of the same. */
export function useReports(
  api: AgentApi,
  { save = saveBlob }: { save?: (blob: Blob, name: string) => void } = {},
) {
  const [preset, setPreset] = useState<ReportPreset>('7');
  const tz = localTimeZone();
  const period = { ...lastDays(Number(preset), tz), tz };
  const key = `${period.from}/${period.to}/${tz}`;
  const report = useResource(() => api.report(period), key);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  return {
    preset,
    setPreset,
    period,
    report: report.data,
    loading: report.loading,
    error: report.error ? reason(report.error) : null,
    downloading,
    downloadError,
    async download() {
      setDownloading(true);
      setDownloadError(null);
      try {
        const { blob, fileName } = await api.reportCsv(period);
        save(blob, fileName);
      } catch (failure) {
        setDownloadError(reason(failure));
      } finally {
        setDownloading(false);
      }
    },
  };
}
