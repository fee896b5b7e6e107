// Free: how many times each paid handler ran (a replayed payment must not run one again).
import { runsByName } from '../../../lib/x402';

export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json(runsByName());
}
