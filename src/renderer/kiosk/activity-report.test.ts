import { describe, expect, it } from 'vitest';
import { createActivityReport } from './activity-report';

describe('activity report', () => {
  it('sends the first input at once, then at most once per interval', () => {
    let t = 1000;
    let sent = 0;
    const report = createActivityReport(5000, () => sent++, () => t);
    report.activity();
    expect(sent).toBe(1);
    for (let i = 0; i < 100; i++) {
      t += 40;
      report.activity();
    }
    expect(sent).toBe(1);
    t += 1000;
    report.activity();
    expect(sent).toBe(2);
  });

  it('flush sends regardless of the interval and restarts it', () => {
    let t = 0;
    let sent = 0;
    const report = createActivityReport(5000, () => sent++, () => t);
    report.activity();
    report.flush();
    expect(sent).toBe(2);
    t += 4999;
    report.activity();
    expect(sent).toBe(2);
  });
});
