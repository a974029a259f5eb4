import type { AgentApi } from '../api/agent-api.ts';
import { useReports } from '../hooks/use-reports.ts';
import { FullScreenNotice, InlineError, Loading } from '../ui/notice.tsx';
import { ReportsView } from '../ui/reports-view.tsx';

/** The Reports tab: charts for the last 7 / 30 / 90 days and the CSV download. */
export function ReportsContainer({ api }: { api: AgentApi }) {
  const reports = useReports(api);
  if (reports.loading) return <Loading label="Loading the reports" />;
  if (!reports.report)
    return (
      <FullScreenNotice
        icon="⚠️"
        title="Could not load the reports"
        description={reports.error ?? undefined}
      />
    );
  return (
    <>
      {reports.error && <InlineError message={`Could not refresh: ${reports.error}`} />}
      <ReportsView
        preset={reports.preset}
        report={reports.report}
        downloading={reports.downloading}
        downloadError={reports.downloadError}
        onPresetChange={reports.setPreset}
        onDownload={() => void reports.download()}
      />
    </>
  );
}
