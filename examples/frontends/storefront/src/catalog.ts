// Shared reference data: channels, the category tree and the store cities, read once.
import { request } from "./api";
import type { ChannelsQuery as ChannelsResult } from "./gql/graphql";
import { ChannelsQuery } from "./operations";

export type Bootstrap = ChannelsResult;

let loaded: Promise<Bootstrap> | null = null;

export function bootstrap(): Promise<Bootstrap> {
  loaded ??= request(ChannelsQuery, {});
  return loaded;
}

/** Store cities with a position, for "pick up near me" without the browser's location. */
export async function cities(): Promise<{ city: string; lat: number; lon: number }[]> {
  const data = await bootstrap();
  const seen = new Map<string, { city: string; lat: number; lon: number }>();
  for (const location of data.locations) {
    if (location.coordinates && !seen.has(location.address.city)) {
      seen.set(location.address.city, {
        city: location.address.city,
        lat: location.coordinates.latitude,
        lon: location.coordinates.longitude,
      });
    }
  }
  return [...seen.values()];
}
