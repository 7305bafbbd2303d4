// The versions in force of the privacy notice (個資法 §8) and of the marketing consent: one
// catalogue, read by the server (chalicelib/records/customers.py) and built into the PWA, so
// the tablet never asks for a version the server would refuse.
import notice from '../../../chalicelib/catalogue/privacy_notice.json';

export const NOTICE_VERSION: string = notice.version;
export const MARKETING_VERSION: string = notice.marketing_version;
