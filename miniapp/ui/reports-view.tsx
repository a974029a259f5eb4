import { Button, List, Section, SegmentedControl } from '@telegram-apps/telegram-ui';
import type { ReportResponse, TimingRow } from '../../contract/reports-api.ts';
import { BarChart } from './charts/bar-chart.tsx';
import { DurationBars } from './charts/duration-bars.tsx';
import { HeatMap } from './charts/heat-map.tsx';
import { LineChart } from './charts/line-chart.tsx';
import { formatDuration } from './format.ts';
import './insights.css';

export type ReportPreset = '7' | '30' | '90';

export type ReportsViewProps = {
  preset: ReportPreset;
  report: ReportResponse;
  downloading: boolean;
  downloadError: string | null;
  onPresetChange: (preset: ReportPreset) => void;
  onDownload: () => void;
};

const PRESETS: { preset: ReportPreset; label: string }[] = [
  { preset: '7', label: '7 days' },
  { preset: '30', label: '30 days' },
  { preset: '90', label: '90 days' },
];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const shortDay = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

const rows = (list: TimingRow[], field: 'first_response' | 'resolution') =>
  list.map((row) => ({
    name: row.name,
    count: row[field].count,
    median: row[field].median_seconds,
    p90: row[field].p90_seconds,
  }));

/** Reports for a period as charts, with the CSV download. */
export function ReportsView({
  preset,
  report,
  downloading,
  downloadError,
  onPresetChange,
  onDownload,
}: ReportsViewProps) {
  const { csat } = report;
  const share = csat.rated_share === null ? null : Math.round(csat.rated_share * 100);
  return (
    <List className="sb-reports">
      <SegmentedControl className="sb-segments" role="tablist" aria-label="Period">
        {PRESETS.map((entry) => (
          <SegmentedControl.Item
            key={entry.preset}
            selected={entry.preset === preset}
            aria-selected={entry.preset === preset}
            onClick={() => onPresetChange(entry.preset)}
          >
            {entry.label}
          </SegmentedControl.Item>
        ))}
      </SegmentedControl>
      <p className="sb-report-period">
        {shortDay(report.from)} – {shortDay(report.to)} · {report.tz}
      </p>
      <Section header="Tickets">
        <LineChart
          title="Opened and closed per day"
          labels={report.days.map((d) => shortDay(d.day))}
          series={[
            { name: 'Opened', values: report.days.map((d) => d.opened), tone: 'primary' },
            { name: 'Closed', values: report.days.map((d) => d.closed), tone: 'secondary' },
          ]}
        />
      </Section>
      <Section
        header="First response"
        footer="From a new ticket to the first agent reply; bars: median, pale: 90th percentile."
      >
        <DurationBars
          title="By agent"
          rows={rows(report.by_agent, 'first_response')}
          format={formatDuration}
        />
        <DurationBars
          title="By category"
          rows={rows(report.by_category, 'first_response')}
          format={formatDuration}
        />
      </Section>
      <Section header="Resolution" footer="From a new ticket to closing it, by the agent who had it then.">
        <DurationBars title="By agent" rows={rows(report.by_agent, 'resolution')} format={formatDuration} />
        <DurationBars
          title="By category"
          rows={rows(report.by_category, 'resolution')}
          format={formatDuration}
        />
      </Section>
      <Section header="Satisfaction">
        <BarChart
          title="Ratings of closed tickets"
          bars={csat.ratings.map((value, i) => ({ label: `${i + 1}★`, value }))}
          note={
            share === null
              ? undefined
              : `${csat.rated} of ${csat.closed} closed tickets rated (${share}%)${
                  csat.average === null ? '' : ` · average ★ ${csat.average.toFixed(1)}`
                }`
          }
          emptyText={
            csat.closed
              ? `None of ${csat.closed} closed tickets was rated`
              : 'No tickets closed in this period'
          }
        />
      </Section>
      <Section header="Busiest hours">
        <HeatMap
          title={`New tickets by weekday and hour (${report.tz})`}
          values={report.busiest}
          rowLabels={WEEKDAYS}
          columnLabel={(hour) => (hour % 6 === 0 ? `${hour}:00` : null)}
          describe={(day, hour, n) => `${WEEKDAYS[day]} ${hour}:00–${hour + 1}:00: ${n} new`}
        />
      </Section>
      <div className="sb-button-row">
        <Button mode="bezeled" size="m" stretched loading={downloading} onClick={onDownload}>
          Download CSV
        </Button>
      </div>
      {downloadError && (
        <p className="sb-field-error" role="alert">
          {downloadError}
        </p>
      )}
    </List>
  );
}
