import { isCompletePostalAddress, postalLines } from '../../src/domain/postalAddress';

const leeds = {
  line1: '10 High Street',
  line2: 'Unit 4',
  city: 'Leeds',
  region: 'West Yorkshire',
  postalCode: 'LS1 4AP',
  country: 'GB',
};

describe('postal address', () => {
  it('writes a complete address as envelope lines, leaving out empty parts', () => {
    expect(postalLines(leeds)).toEqual(['10 High Street', 'Unit 4', 'Leeds West Yorkshire LS1 4AP', 'GB']);
    expect(postalLines({ ...leeds, line2: '  ', region: null, country: null })).toEqual([
      '10 High Street',
      'Leeds LS1 4AP',
    ]);
  });

  it('needs a street, a town, and a postcode or a country', () => {
    expect(isCompletePostalAddress({ ...leeds, postalCode: null })).toBe(true);
    expect(isCompletePostalAddress({ ...leeds, country: '' })).toBe(true);
    expect(isCompletePostalAddress({ ...leeds, postalCode: null, country: ' ' })).toBe(false);
    expect(isCompletePostalAddress({ ...leeds, line1: ' ' })).toBe(false);
    expect(isCompletePostalAddress({ ...leeds, city: null })).toBe(false);
    expect(isCompletePostalAddress(null)).toBe(false);
    expect(postalLines({ ...leeds, city: null })).toEqual([]);
  });
});
