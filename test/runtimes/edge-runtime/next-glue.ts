// What Next.js generates around an Edge route handler, reduced to the part the runtime sees: a fetch
// listener that calls the exported method handler.
import * as handler from '../../../examples/vercel-edge/app/api/guestbook/[...path]/route.js';

declare function addEventListener(
  type: 'fetch',
  listener: (event: { request: Request; respondWith(response: Promise<Response>): void }) => void,
): void;

if (handler.runtime !== 'edge') throw new Error('the route must opt into the edge runtime');
addEventListener('fetch', (event) => {
  const method = event.request.method;
  const run = method === 'GET' ? handler.GET : method === 'POST' ? handler.POST : undefined;
  event.respondWith(
    run ? run(event.request) : Promise.resolve(new Response('method not allowed', { status: 405 })),
  );
});
