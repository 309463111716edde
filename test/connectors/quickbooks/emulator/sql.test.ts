import { parseQuery } from '../../../../connectors/quickbooks/emulator/sql';

describe('emulator query language', () => {
  it('parses what Duely sends', () => {
    expect(parseQuery('SELECT * FROM Invoice ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000')).toEqual({
      count: false,
      entity: 'Invoice',
      where: [],
      orderBy: { field: 'Id', desc: false },
      startPosition: 1001,
      maxResults: 1000,
    });
    expect(
      parseQuery(
        "select * from invoice WHERE Id IN ('1','2', '3') ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000",
      ).where,
    ).toEqual([{ field: 'Id', op: 'IN', value: ['1', '2', '3'] }]);
    expect(
      parseQuery(
        "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2026-11-20T10:00:00.000Z' AND Active = true",
      ).where,
    ).toEqual([
      { field: 'MetaData.LastUpdatedTime', op: '>=', value: '2026-11-20T10:00:00.000Z' },
      { field: 'Active', op: '=', value: 'true' },
    ]);
  });

  it('parses node-quickbooks and qbo_api forms: lower case, COUNT, MAXRESULTS before STARTPOSITION, escaped quotes', () => {
    expect(parseQuery('SELECT COUNT(*) FROM Vendor')).toMatchObject({ count: true, entity: 'Vendor' });
    expect(parseQuery('select * from Customer MAXRESULTS 5 STARTPOSITION 6')).toMatchObject({
      startPosition: 6,
      maxResults: 5,
    });
    expect(parseQuery("select * from Customer where DisplayName = 'Amy\\'s Bird'").where[0]!.value).toBe(
      "Amy's Bird",
    );
    expect(parseQuery('select * from Term').maxResults).toBe(100);
  });

  it('rejects what QuickBooks rejects', () => {
    expect(() => parseQuery('SELECT * FROM Invoice MAXRESULTS 1001')).toThrow(/Max allowed value is 1000/);
    expect(() => parseQuery('SELECT FROM Invoice')).toThrow();
    expect(() => parseQuery("SELECT * FROM Invoice WHERE Id IN ('1'")).toThrow();
    expect(() => parseQuery("SELECT * FROM Invoice WHERE DocNumber = 'x")).toThrow(/unterminated/);
    expect(() => parseQuery('SELECT * FROM Invoice STARTPOSITION 0')).toThrow();
  });
});
