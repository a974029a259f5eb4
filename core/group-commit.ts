/**
 * Group commit: items submitted while a group is being written wait and go together in the next one,
 * written by `write` in one transaction (the first item of a quiet moment waits one turn of the event
 * loop for company). Each submitter's promise settles only after its group's transaction has ended:
 * with its own result once committed, or, if the write failed, with that error for every item of the
 * group (none of which was written). One group is written at a time.
 */
export function createGroupCommit<Item, Result>(
  write: (items: Item[]) => Promise<Result[]>,
  { maxItems = 200 }: { maxItems?: number } = {},
) {
  type Waiting = { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  let writing = false;

  const writeNext = async () => {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.slice(0, maxItems);
      waiting = waiting.slice(group.length);
      try {
        const results = await write(group.map((entry) => entry.item));
        for (const [index, entry] of group.entries()) entry.resolve(results[index] as Result);
      } catch (error) {
        for (const entry of group) entry.reject(error);
      }
    }
    writing = false;
  };

  return {
    submit(item: Item): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        if (!writing) {
          writing = true;
          setImmediate(writeNext);
        }
      });
    },
  };
}
