import { describe, expect, it } from 'vitest';
import { parseRoute, vehicleHistoryPath } from '../src/ui/router';

describe("a vehicle's history route", () => {
  it('opens the history of the vehicle named in the address, and its path reads back', () => {
    expect(parseRoute('#/vehicles/veh-1/history')).toEqual({ name: 'vehicle-history', vehicleId: 'veh-1' });
    expect(parseRoute(`#${vehicleHistoryPath('veh 2/x')}`)).toEqual({ name: 'vehicle-history', vehicleId: 'veh 2/x' });
  });

  it('sends a vehicle address without the history to the first screen', () => {
    expect(parseRoute('#/vehicles/veh-1')).toEqual({ name: 'home' });
    expect(parseRoute('#/vehicles')).toEqual({ name: 'home' });
  });
});
