import { sign } from '@telegram-apps/init-data-node';
import { loadEnv, type Plugin } from 'vite';

export const DEV_INIT_DATA_PATH = '/__dev/init-data';

/**
 * Development only (`vite serve`, never in a build): signs Telegram initData with the bot token from the
 * repository's `.env` / environment, so the Mini App runs in a plain browser against `npm start` as if
 * Telegram had launched it. The server still checks that the user is a member of the support group.
 *
 *   GET /__dev/init-data?user_id=123&first_name=Ann&username=ann   (defaults: MINIAPP_DEV_USER_ID, …)
 *
 * Whoever can reach the dev server can act as any agent: it listens on localhost only (Vite's default).
 */
export function devInitDataPlugin({ envDir }: { envDir: string }): Plugin {
  return {
    name: 'switchboard:dev-init-data',
    apply: 'serve',
    configureServer(server) {
      const env = { ...loadEnv(server.config.mode, envDir, ''), ...process.env };
      // Where `/api` goes, so that the page can say which server it expected.
      const proxy = server.config.server.proxy?.['/api'];
      const apiTarget = typeof proxy === 'string' ? proxy : proxy?.target?.toString();
      server.middlewares.use(DEV_INIT_DATA_PATH, (request, response) => {
        const answer = (status: number, body: Record<string, unknown>) => {
          response.statusCode = status;
          response.setHeader('Content-Type', 'application/json; charset=utf-8');
          response.setHeader('Cache-Control', 'no-store');
          response.end(JSON.stringify({ ...body, api_target: apiTarget }));
        };
        const token = env.TELEGRAM_BOT_TOKEN;
        if (!token) {
          return answer(503, {
            error:
              'TELEGRAM_BOT_TOKEN is not set: put the bot’s token in .env (the dev mock signs initData with ' +
              'it, and the server checks it with the same token), then restart the dev server.',
          });
        }
        const query = new URL(request.url ?? '', 'http://localhost').searchParams;
        const userId = Number(query.get('user_id') ?? env.MINIAPP_DEV_USER_ID);
        if (!Number.isSafeInteger(userId) || userId <= 0) {
          return answer(400, {
            error:
              'Which Telegram user? Set MINIAPP_DEV_USER_ID in .env (your numeric Telegram id, a member of ' +
              'the support group) or open the app with ?user_id=…',
          });
        }
        const user = {
          id: userId,
          first_name: query.get('first_name') ?? env.MINIAPP_DEV_USER_NAME ?? 'Developer',
          username: query.get('username') ?? env.MINIAPP_DEV_USERNAME ?? undefined,
          language_code: 'en',
          allows_write_to_pm: true,
        };
        const initData = sign({ user, chat_type: 'sender', chat_instance: '-1' }, token, new Date());
        return answer(200, { init_data: initData });
      });
    },
  };
}
