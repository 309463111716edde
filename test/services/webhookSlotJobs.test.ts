import { SlotJobs, type Enqueue } from '../../src/services/webhooks/slotJobs';

/** A fake queue that remembers job ids, as BullMQ does with a custom jobId. */
function queue() {
  const ids: string[] = [];
  const enqueue: Enqueue = async (jobId) => {
    if (ids.includes(jobId)) return { added: false };
    ids.push(jobId);
    return { added: true };
  };
  const calls = jest.fn(enqueue);
  return { ids, enqueue: calls };
}

describe('webhook slot jobs', () => {
  let clock = 0;
  const jobs = () => new SlotJobs({ slotMs: 5000, delayMs: 2000, startMarginMs: 500, now: () => clock });

  beforeEach(() => {
    clock = 1_000_000; // the start of slot 200
  });

  it('queues one job for a burst, and asks the queue only once', async () => {
    const q = queue();
    const slots = jobs();
    for (let i = 0; i < 30; i++) {
      await slots.ensure('c1', q.enqueue);
      clock += 10;
    }
    expect(q.ids).toEqual(['webhook-c1-200']);
    expect(q.enqueue).toHaveBeenCalledTimes(1);
  });

  it('queues the next slot job once the slot job may have started, so late events are not missed', async () => {
    const q = queue();
    const slots = jobs();
    await slots.ensure('c1', q.enqueue);
    clock += 1600; // within 500 ms of the job's start
    await slots.ensure('c1', q.enqueue);
    clock += 1000; // the slot job has run; the next one has not
    await slots.ensure('c1', q.enqueue);
    expect(q.ids).toEqual(['webhook-c1-200', 'webhook-c1-201']);
    expect(q.enqueue).toHaveBeenCalledTimes(3);
  });

  it('queues the next slot job when another process queued this slot job', async () => {
    const q = queue();
    q.ids.push('webhook-c1-200');
    await jobs().ensure('c1', q.enqueue);
    expect(q.ids).toEqual(['webhook-c1-200', 'webhook-c1-201']);
  });

  it('keeps connections apart', async () => {
    const q = queue();
    const slots = jobs();
    await slots.ensure('c1', q.enqueue);
    await slots.ensure('c2', q.enqueue);
    await slots.ensure('c1', q.enqueue);
    expect(q.ids).toEqual(['webhook-c1-200', 'webhook-c2-200']);
  });

  it('forgets started jobs when its memory is full, and still asks the queue afterwards', async () => {
    const q = queue();
    const slots = new SlotJobs({
      slotMs: 5000,
      delayMs: 2000,
      startMarginMs: 500,
      now: () => clock,
      maxRemembered: 2,
    });
    await slots.ensure('c1', q.enqueue);
    await slots.ensure('c2', q.enqueue);
    clock += 10_000;
    await slots.ensure('c3', q.enqueue);
    await slots.ensure('c1', q.enqueue);
    expect(q.ids).toEqual(['webhook-c1-200', 'webhook-c2-200', 'webhook-c3-202', 'webhook-c1-202']);
  });
});
