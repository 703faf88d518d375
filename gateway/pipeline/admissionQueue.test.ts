import { describe, expect, it } from 'vitest';
import { admissionQueue } from './admissionQueue.js';
import { isAnswer, type Answer, type Exchange } from './exchange.js';

const exchange = () => ({ abort: new AbortController() }) as unknown as Exchange;
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('the admission queue', () => {
  it('works on at most its limit at once; the rest get their places in the order they came, as places are released', async () => {
    const queue = admissionQueue(2);
    const order: number[] = [];
    const places = Array.from({ length: 5 }, (_, i) =>
      queue(exchange()).then((place) => {
        order.push(i);
        return place as () => void;
      }),
    );
    await settled();
    expect(order).toEqual([0, 1]);
    (await places[1]!)();
    await settled();
    expect(order).toEqual([0, 1, 2]);
    // A place released twice frees one place, not two.
    (await places[1]!)();
    await settled();
    expect(order).toEqual([0, 1, 2]);
    (await places[0]!)();
    (await places[2]!)();
    await settled();
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('lets a request that ran out of time or lost its client leave the line, with an answer that says so, and keeps its place for the next', async () => {
    const queue = admissionQueue(1);
    const first = (await queue(exchange())) as () => void;
    const leaving = exchange();
    const waiting = queue(leaving);
    const next = queue(exchange());
    leaving.abort.abort();
    const answer = (await waiting) as Answer;
    expect(isAnswer(answer)).toBe(true);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).errors[0]).toEqual({ message: expect.stringContaining('waiting for its turn'), extensions: { code: 'REQUEST_TIMEOUT' } });
    first();
    expect(typeof (await next)).toBe('function');
  });

  it('passes on at once a place whose turn came as its request ended', async () => {
    const queue = admissionQueue(1);
    const first = (await queue(exchange())) as () => void;
    const ending = exchange();
    const waiting = queue(ending);
    const next = queue(exchange());
    // The place is handed over, and the request ends before it can take it.
    first();
    ending.abort.abort();
    expect(isAnswer((await waiting) as Answer)).toBe(true);
    expect(typeof (await next)).toBe('function');
  });

  it('refuses a limit that is not a whole number from 1', () => {
    expect(() => admissionQueue(0)).toThrow('from 1, not 0');
    expect(() => admissionQueue(2.5)).toThrow('from 1, not 2.5');
  });
});
