import type { Coordinates, RegionTable } from '../drivers/region-spec.js';

/*
 * City-level coordinates of the places edge functions and databases run. One line per city:
 * `latitude longitude code code ...`. Codes are cloud regions (AWS `us-east-1`, GCP `us-central1`,
 * Azure `westeurope`) and IATA airport codes, which Cloudflare colos and Fly.io regions use as is and
 * Vercel uses with a digit (`fra1`). Kept as one string and parsed on first use: it is a few kilobytes
 * in an edge bundle instead of a large object literal evaluated at import time.
 */
const TABLE = `
38.95 -77.45 iad dca was us-east-1 us-east4
37.37 -79.82 eastus
36.67 -78.39 eastus2
39.96 -83.00 cmh us-east-2 us-east5
41.50 -81.69 cle
40.71 -74.01 jfk lga nyc
40.73 -74.17 ewr
42.36 -71.06 bos
41.76 -72.67 bdl
44.80 -68.77 bgr
39.95 -75.17 phl
40.44 -80.00 pit
42.89 -78.88 buf
42.33 -83.05 dtw
41.88 -87.63 ord mdw chi northcentralus
39.77 -86.16 ind
44.98 -93.27 msp
39.10 -94.58 mci
41.26 -95.94 oma us-central1
41.59 -93.62 dsm centralus
38.63 -90.20 stl
36.16 -86.78 bna
35.15 -90.05 mem
33.75 -84.39 atl
35.23 -80.84 clt
35.78 -78.64 rdu
36.85 -76.29 orf
37.54 -77.44 ric
32.90 -79.96 chs us-east1
30.33 -81.66 jax
28.54 -81.38 mco
27.95 -82.46 tpa
25.76 -80.19 mia
30.44 -84.28 tlh
29.76 -95.37 iah hou
32.78 -96.80 dfw dal us-south1
30.27 -97.74 aus
29.42 -98.49 sat southcentralus
35.47 -97.52 okc
39.74 -104.99 den
41.14 -104.82 westcentralus
35.08 -106.65 abq
33.45 -112.07 phx westus3
40.76 -111.89 slc us-west3
36.17 -115.14 las us-west4
32.72 -117.16 san
34.05 -118.24 lax bur us-west2
37.77 -122.42 sfo westus
37.34 -121.89 sjc us-west-1
38.58 -121.49 smf
45.52 -122.68 pdx
45.84 -119.70 us-west-2
45.60 -121.18 us-west1
47.61 -122.33 sea
47.23 -119.85 westus2
21.31 -157.86 hnl
61.22 -149.90 anc
49.28 -123.12 yvr
51.05 -114.07 yyc ca-west-1
53.55 -113.49 yeg
49.90 -97.14 ywg
52.13 -106.67 yxe
43.65 -79.38 yyz northamerica-northeast2 canadacentral
45.42 -75.70 yow
45.50 -73.57 yul ca-central-1 northamerica-northeast1
46.81 -71.21 yqb canadaeast
44.65 -63.58 yhz
19.43 -99.13 mex
20.59 -100.39 qro mx-central-1 mexicocentral
20.66 -103.35 gdl
25.69 -100.32 mty
26.20 -98.23 mfe
9.00 -79.52 pty
9.93 -84.08 sjo
14.63 -90.51 gua
18.47 -69.89 sdq
18.44 -66.00 sju
4.71 -74.07 bog
6.24 -75.58 mde
10.48 -66.90 ccs
-0.18 -78.47 uio
-2.17 -79.92 gye
-12.05 -77.04 lim
-16.50 -68.15 lpb
-33.45 -70.67 scl southamerica-west1
-34.60 -58.38 eze bue
-34.90 -56.16 mvd
-25.26 -57.58 asu
-23.55 -46.63 gru sao sa-east-1 southamerica-east1 brazilsouth
-22.91 -43.17 gig rio
-15.79 -47.88 bsb
-30.03 -51.23 poa
-25.43 -49.27 cwb
-3.73 -38.53 for
-12.97 -38.50 ssa
-8.05 -34.88 rec
-19.92 -43.94 cnf
51.51 -0.13 lhr lon lcy lgw eu-west-2 europe-west2 uksouth
51.48 -3.18 cwl ukwest
53.48 -2.24 man
55.95 -3.19 edi
53.35 -6.26 dub eu-west-1 northeurope
51.90 -8.47 ork
48.86 2.35 cdg par ory eu-west-3 europe-west9 francecentral
45.76 4.84 lys
43.30 5.37 mrs
52.37 4.90 ams westeurope
53.44 6.83 europe-west4
50.85 4.35 bru
50.47 3.82 europe-west1
49.61 6.13 lux
50.11 8.68 fra eu-central-1 europe-west3 germanywestcentral gwc
51.23 6.78 dus
53.55 9.99 ham
48.14 11.58 muc
48.78 9.18 str
52.52 13.40 ber txl europe-west10
47.37 8.54 zrh eu-central-2 europe-west6 switzerlandnorth
46.20 6.14 gva
48.21 16.37 vie
50.08 14.44 prg
47.50 19.04 bud
52.23 21.01 waw europe-central2 polandcentral
55.68 12.57 cph
59.33 18.07 arn sto eu-north-1
60.67 17.14 swedencentral
57.71 11.97 got
59.91 10.75 osl norwayeast
60.17 24.94 hel
60.57 27.20 europe-north1
59.44 24.75 tll
56.95 24.11 rix
54.69 25.28 vno
40.42 -3.70 mad europe-southwest1 spaincentral
41.65 -0.88 eu-south-2
41.39 2.17 bcn
38.72 -9.14 lis
41.15 -8.61 opo
45.46 9.19 mxp lin mil eu-south-1 europe-west8 italynorth
45.07 7.69 trn europe-west12
41.90 12.50 fco rom
38.12 13.36 pmo
37.98 23.73 ath
40.64 22.94 skg
44.43 26.10 otp
42.70 23.32 sof
44.79 20.45 beg
45.81 15.98 zag
41.01 28.98 ist
50.45 30.52 kbp iev
47.01 28.86 kiv
55.76 37.62 dme svo mow
59.94 30.31 led
41.72 44.79 tbs
40.18 44.51 evn
40.41 49.87 gyd
25.20 55.27 dxb me-central-1 uaenorth
24.45 54.38 auh
25.29 51.53 doh me-central1 qatarcentral
26.07 50.56 bah me-south-1
26.43 50.10 dmm me-central2
29.38 47.99 kwi
23.59 58.41 mct
24.71 46.68 ruh
21.49 39.19 jed
32.09 34.78 tlv il-central-1 me-west1 israelcentral
31.95 35.93 amm
33.31 44.37 bgw
33.89 35.50 bey
-26.20 28.05 jnb africa-south1 southafricanorth
-33.92 18.42 cpt af-south-1 southafricawest
-29.86 31.02 dur
6.52 3.38 los
5.60 -0.19 acc
-1.29 36.82 nbo
-4.04 39.67 mba
30.04 31.24 cai
36.75 3.06 alg
36.81 10.18 tun
33.57 -7.59 cmn
14.69 -17.44 dkr
-1.94 30.06 kgl
-6.79 39.21 dar
-8.84 13.23 lad
-25.97 32.57 mpm
9.03 38.74 add
-20.16 57.50 mru
35.68 139.69 nrt hnd tyo ap-northeast-1 asia-northeast1 japaneast
34.69 135.50 kix itm osa ap-northeast-3 asia-northeast2 japanwest
33.59 130.40 fuk
26.21 127.68 oka
43.06 141.35 cts
37.57 126.98 icn sel ap-northeast-2 asia-northeast3 koreacentral
35.18 129.08 pus
22.32 114.17 hkg ap-east-1 asia-east2 eastasia
25.03 121.57 tpe
24.05 120.52 asia-east1
1.35 103.82 sin ap-southeast-1 asia-southeast1 southeastasia
3.14 101.69 kul ap-southeast-5
13.76 100.50 bkk ap-southeast-7
-6.21 106.85 cgk jkt ap-southeast-3 asia-southeast2
14.60 120.98 mnl
10.32 123.89 ceb
10.82 106.63 sgn
21.03 105.85 han
11.56 104.92 pnh
16.87 96.20 rgn
19.08 72.88 bom ap-south-1 asia-south1 westindia
28.61 77.21 del asia-south2
12.97 77.59 blr
13.08 80.27 maa southindia
17.39 78.49 hyd ap-south-2
18.52 73.86 pnq centralindia
22.57 88.36 ccu
23.81 90.41 dac
6.93 79.85 cmb
27.72 85.32 ktm
24.86 67.01 khi
33.68 73.05 isb
31.55 74.34 lhe
47.89 106.91 uln
43.24 76.89 ala
41.30 69.24 tas
39.90 116.41 pek pkx bjs
31.23 121.47 pvg sha
23.13 113.26 can
22.54 114.06 szx
-33.87 151.21 syd ap-southeast-2 australia-southeast1 australiaeast
-37.81 144.96 mel ap-southeast-4 australia-southeast2 australiasoutheast
-27.47 153.03 bne
-31.95 115.86 per
-34.93 138.60 adl
-35.28 149.13 cbr australiacentral
-36.85 174.76 akl
-43.53 172.64 chc
-41.29 174.78 wlg
-22.28 166.46 nou
-17.54 -149.57 ppt
13.44 144.79 gum
-18.14 178.44 suv
`;

// `aws-us-east-1` (Neon, Turso), `gcp-us-east4`, `azure-eastus2` (Neon): the cloud is a prefix of the region.
const CLOUD_PREFIX = /^(aws|gcp|azure)-/;
// Vercel regions are an airport code and a digit: `fra1`, `iad1`, `hnd1`.
const VERCEL_REGION = /^([a-z]{3})\d{1,2}$/;

let parsed: Map<string, Coordinates> | undefined;

function parseTable(): Map<string, Coordinates> {
  const map = new Map<string, Coordinates>();
  for (const line of TABLE.split('\n')) {
    const [lat, lon, ...codes] = line.split(' ');
    if (lat === undefined || lon === undefined || codes.length === 0) continue;
    const coordinates: Coordinates = Object.freeze({ latitude: Number(lat), longitude: Number(lon) });
    for (const code of codes) {
      if (map.has(code)) throw new Error(`edge-db: region table lists "${code}" twice`);
      map.set(code, coordinates);
    }
  }
  return map;
}

/**
 * City-level coordinates of a region or location code, or `undefined` when the code is unknown.
 *
 * Accepts cloud regions (`us-east-1`, `aws-us-east-1`, `us-central1`, `gcp-europe-west3`, `westeurope`,
 * `azure-eastus2`), Fly.io and Turso regions (`iad`, `ams`), Vercel regions (`fra1`) and the IATA codes of
 * common edge locations (Cloudflare's `colo`). Case and surrounding spaces are ignored.
 *
 * ### Examples
 * ```ts
 * lookupRegion('aws-eu-central-1') // { latitude: 50.11, longitude: 8.68 }
 * lookupRegion('FRA1') // Frankfurt as well
 * lookupRegion('atlantis') // undefined
 * ```
 */
export function lookupRegion(code: string): Coordinates | undefined {
  parsed ??= parseTable();
  const normalized = code.trim().toLowerCase().replaceAll(' ', '');
  const exact = parsed.get(normalized);
  if (exact !== undefined) return exact;
  const withoutCloud = normalized.replace(CLOUD_PREFIX, '');
  const cloudRegion = parsed.get(withoutCloud);
  if (cloudRegion !== undefined) return cloudRegion;
  const airport = VERCEL_REGION.exec(withoutCloud)?.[1];
  return airport === undefined ? undefined : parsed.get(airport);
}

/**
 * Every code {@link lookupRegion} knows without prefixes or Vercel digits, for docs and diagnostics.
 *
 * ### Examples
 * ```ts
 * knownRegionCodes().includes('eu-west-1') // true
 * ```
 */
export function knownRegionCodes(): string[] {
  parsed ??= parseTable();
  return [...parsed.keys()];
}

/**
 * The code table for `edgeDb({ regions })`: pass it when backends or the caller's location are given as
 * region codes. It is its own entry (`edge-db/regions`, about 3 KB gzip) so an app that never places nodes on
 * a map (Neon's same-region replicas, D1, one Turso database) does not ship it.
 *
 * ### Examples
 * ```ts
 * import { regions } from 'edge-db/regions'
 * regions.lookup('fra1') // Frankfurt
 * ```
 */
export const regions: RegionTable = Object.freeze({ lookup: lookupRegion, codes: knownRegionCodes });
