import {
  firstResponseDue,
  isSlaBreached,
  statusAfterCustomerReply,
  transitionDispute,
} from '../../src/domain/disputes';

const OUTCOMES = ['credit_issued', 'invoice_corrected', 'not_valid', 'paid', 'answered', 'other'];
const policy = (hours = 8, start = 9, end = 17) => ({
  firstResponseHours: hours,
  businessHours: { start, end },
});
const NY = 'America/New_York';

describe('dispute status transitions', () => {
  it('goes open → waiting on the customer → open → resolved with an outcome, and reopens', () => {
    expect(transitionDispute('open', 'waiting_on_customer', null, OUTCOMES)).toEqual({
      ok: true,
      status: 'waiting_on_customer',
      outcome: null,
      reopened: false,
    });
    expect(transitionDispute('waiting_on_customer', 'open', null, OUTCOMES)).toMatchObject({
      ok: true,
      status: 'open',
    });
    expect(transitionDispute('waiting_on_customer', 'resolved', 'credit_issued', OUTCOMES)).toEqual({
      ok: true,
      status: 'resolved',
      outcome: 'credit_issued',
      reopened: false,
    });
    expect(transitionDispute('resolved', 'open', null, OUTCOMES)).toEqual({
      ok: true,
      status: 'open',
      outcome: null,
      reopened: true,
    });
  });

  it('needs a known outcome to resolve', () => {
    expect(transitionDispute('open', 'resolved', null, OUTCOMES)).toEqual({
      ok: false,
      message: 'choose an outcome to resolve the case',
    });
    expect(transitionDispute('open', 'resolved', 'because', OUTCOMES)).toMatchObject({
      ok: false,
      message: expect.stringContaining('credit_issued'),
    });
  });

  it('refuses a move to the same status and waiting on the customer from resolved', () => {
    expect(transitionDispute('open', 'open', null, OUTCOMES)).toEqual({
      ok: false,
      message: 'the case is already open',
    });
    expect(transitionDispute('resolved', 'waiting_on_customer', null, OUTCOMES).ok).toBe(false);
  });

  it("a customer's reply reopens a case waiting on them and leaves the others as they are", () => {
    expect(statusAfterCustomerReply('waiting_on_customer')).toBe('open');
    expect(statusAfterCustomerReply('open')).toBe('open');
    expect(statusAfterCustomerReply('resolved')).toBe('resolved');
  });
});

describe('first response due in business hours', () => {
  it('counts hours inside the business day only', () => {
    // Tuesday 2026-11-17 (Wednesday the 11th is Veterans Day) 10:00 EST → 8 business hours → Wednesday 10:00 EST
    expect(firstResponseDue(new Date('2026-11-17T15:00:00Z'), policy(), NY, 'US').toISOString()).toBe(
      '2026-11-18T15:00:00.000Z',
    );
    // 2 hours inside the same day
    expect(firstResponseDue(new Date('2026-11-17T15:00:00Z'), policy(2), NY, 'US').toISOString()).toBe(
      '2026-11-17T17:00:00.000Z',
    );
  });

  it('starts at the opening hour when the case comes in before it, and ends at closing time exactly', () => {
    // Tuesday 06:30 EST → 8 hours → 17:00 EST the same day
    expect(firstResponseDue(new Date('2026-11-17T11:30:00Z'), policy(), NY, 'US').toISOString()).toBe(
      '2026-11-17T22:00:00.000Z',
    );
    // Tuesday 20:00 EST (after closing) → Wednesday 09:00 + 1h
    expect(firstResponseDue(new Date('2026-11-18T01:00:00Z'), policy(1), NY, 'US').toISOString()).toBe(
      '2026-11-18T15:00:00.000Z',
    );
  });

  it('skips a weekend', () => {
    // Friday 2026-11-06 15:00 EST: 2 hours on Friday, 6 on Monday → Monday 15:00 EST
    expect(firstResponseDue(new Date('2026-11-06T20:00:00Z'), policy(), NY, 'US').toISOString()).toBe(
      '2026-11-09T20:00:00.000Z',
    );
    // opened on a Saturday: Monday 09:00 + 8h
    expect(firstResponseDue(new Date('2026-11-07T15:00:00Z'), policy(), NY, 'US').toISOString()).toBe(
      '2026-11-09T22:00:00.000Z',
    );
  });

  it("skips the firm's public holidays (Thanksgiving in the US, not in Germany)", () => {
    // Wednesday 2026-11-25 15:00 EST: 2h, Thursday is Thanksgiving, 6h on Friday → Friday 15:00 EST
    expect(firstResponseDue(new Date('2026-11-25T20:00:00Z'), policy(), NY, 'US').toISOString()).toBe(
      '2026-11-27T20:00:00.000Z',
    );
    expect(firstResponseDue(new Date('2026-11-25T20:00:00Z'), policy(), NY, 'DE').toISOString()).toBe(
      '2026-11-26T20:00:00.000Z',
    );
  });

  it('keeps to local business hours across a DST change over the weekend', () => {
    // Friday 2026-03-06 16:00 EST (UTC-5): 1h; clocks go forward Sunday; 7h Monday from 09:00 EDT (UTC-4)
    expect(firstResponseDue(new Date('2026-03-06T21:00:00Z'), policy(), NY, 'US').toISOString()).toBe(
      '2026-03-09T20:00:00.000Z',
    );
  });

  it('counts real time in a business day shortened by a DST change', () => {
    // Israel moves its clocks on Friday 2026-03-27 at 02:00 (+02:00 → +03:00): that day has 23 hours.
    // Round-the-clock business hours, opened Thursday 12:00 local: 12h Thursday, 12h Friday → 13:00 local
    const due = firstResponseDue(new Date('2026-03-26T10:00:00Z'), policy(24, 0, 24), 'Asia/Jerusalem', 'IL');
    expect(due.toISOString()).toBe('2026-03-27T10:00:00.000Z');
  });

  it('counts a breach only for unanswered open or waiting cases past their due time', () => {
    const due = new Date('2026-11-11T15:00:00Z');
    const after = new Date('2026-11-11T15:00:01Z');
    expect(isSlaBreached({ status: 'open', firstResponseAt: null, firstResponseDueAt: due }, after)).toBe(
      true,
    );
    expect(
      isSlaBreached({ status: 'waiting_on_customer', firstResponseAt: null, firstResponseDueAt: due }, after),
    ).toBe(true);
    expect(isSlaBreached({ status: 'open', firstResponseAt: null, firstResponseDueAt: due }, due)).toBe(
      false,
    );
    expect(isSlaBreached({ status: 'open', firstResponseAt: due, firstResponseDueAt: due }, after)).toBe(
      false,
    );
    expect(isSlaBreached({ status: 'resolved', firstResponseAt: null, firstResponseDueAt: due }, after)).toBe(
      false,
    );
  });
});
