import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/queue/group-commit.js';

/** A commit the test finishes by hand, recording each group it was given. */
function manualCommit() {
  const groups: number[][] = [];
  const finishers: ((error?: Error) => void)[] = [];
  const commit = (values: number[]) =>
    new Promise<void>((resolve, reject) => {
      groups.push(values);
      finishers.push((error) => (error ? reject(error) : resolve()));
    });
  return { groups, finish: (index: number, error?: Error) => finishers[index]!(error), commit };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('commits the first value at once and everything that arrived meanwhile in one next group', async () => {
    const { groups, finish, commit } = manualCommit();
    const group = new GroupCommit(commit);
    const settled: number[] = [];
    const add = (value: number) => group.add(value).then(() => settled.push(value));
    const first = add(1);
    await tick();
    expect(groups).toEqual([[1]]);
    const rest = [add(2), add(3), add(4)];
    await tick();
    // Nothing resolves before its own group's commit finished.
    expect(settled).toEqual([]);
    finish(0);
    await first;
    await tick();
    expect(groups).toEqual([[1], [2, 3, 4]]);
    expect(settled).toEqual([1]);
    finish(1);
    await Promise.all(rest);
    expect(settled).toEqual([1, 2, 3, 4]);
  });

  it('rejects the whole failed group and still commits the next one', async () => {
    const { groups, finish, commit } = manualCommit();
    const group = new GroupCommit(commit, 2);
    const first = group.add(1);
    await tick();
    const second = [group.add(2), group.add(3), group.add(4)];
    finish(0, new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    await tick();
    // maxGroup 2: the three waiting values go as two groups.
    expect(groups[1]).toEqual([2, 3]);
    finish(1);
    await tick();
    expect(groups[2]).toEqual([4]);
    finish(2);
    await expect(Promise.all(second)).resolves.toBeDefined();
  });
});
