import Router from '@koa/router';
import { type ReportResponse, reportQuerySchema } from '../../contract/reports-api.ts';
import { reportCsv } from '../../core/reports.service.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { parseInput } from '../validation.ts';

/** Reports for a period (issue 13 §6): JSON for the Mini App's charts, and the same as a CSV download. */
export function agentReportRoutes(deps: { services: Services; access?: AgentAccess }) {
  const { services } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(deps.access, services);

  router.get('/reports', auth, async (ctx) => {
    const query = parseInput(reportQuerySchema, ctx.query, 'query');
    ctx.body = (await services.reports.report(query)) satisfies ReportResponse;
  });

  router.get('/reports.csv', auth, async (ctx) => {
    const query = parseInput(reportQuerySchema, ctx.query, 'query');
    const report = await services.reports.report(query);
    ctx.set(
      'Content-Disposition',
      `attachment; filename="switchboard-report-${report.from}-${report.to}.csv"`,
    );
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = reportCsv(report);
  });

  return router;
}
