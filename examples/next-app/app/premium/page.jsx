// A paid page: proxy.js charges /premium before the page renders.
export const dynamic = 'force-dynamic';

export default function Premium() {
  return <p>premium content: the forecast is sunny</p>;
}
