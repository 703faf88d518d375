/**
 * The first step of a GraphQL request: a place among the requests the gateway works on at once.
 * Past `limit`, a request waits, in the order it came, until one ends. Bounded so, a burst of
 * reads waits at the door instead of filling the event loop, the agencies and their databases
 * with work that would only wait its turn inside them, and what runs beside the requests — a
 * Watch's deliveries, the agencies' outbox relays, health checks — is not held behind it.
 * A request takes its place once its body is read (a slow upload holds none). Waiting costs
 * nothing but its place in the line, and counts against its deadline: a request whose deadline
 * passes or whose client goes away while it waits leaves the line, unanswered by the agencies.
 */
import { errorAnswer, type Answer, type Exchange } from './exchange.js';

/** Gives a request its place (returning its release), or the answer of one that ended while it waited. */
export function admissionQueue(limit: number): (exchange: Exchange) => Promise<(() => void) | Answer> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`the gateway's limit of requests at once must be a whole number from 1, not ${limit}`);
  let working = 0;
  const line: (() => void)[] = [];
  const release = () => {
    const next = line.shift();
    // The place passes straight to the next in line.
    if (next) next();
    else working--;
  };
  const placed = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
  return async (exchange) => {
    if (working < limit) {
      working++;
      return placed();
    }
    const signal = exchange.abort.signal;
    const inTurn = await new Promise<boolean>((resolve) => {
      const turn = () => {
        signal.removeEventListener('abort', gone);
        resolve(true);
      };
      const gone = () => {
        line.splice(line.indexOf(turn), 1);
        resolve(false);
      };
      if (signal.aborted) return resolve(false);
      line.push(turn);
      signal.addEventListener('abort', gone, { once: true });
    });
    const place = inTurn ? placed() : null;
    // Its turn came in the same moment as its end: the place goes straight to the next.
    if (place && signal.aborted) place();
    else if (place) return place;
    return errorAnswer(503, 'REQUEST_TIMEOUT', 'the gateway was working on as many requests as it takes at once, and this one ran out of time waiting for its turn');
  };
}
