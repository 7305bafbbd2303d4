import type { Messages } from './zh-TW';

export const en: Messages = {
  'app.name': 'ServiceLane',
  'app.tagline': 'Service reception',
  'language.switch': '中文',
  'language.switchLabel': 'Switch to Chinese',

  'signIn.title': 'Sign in',
  'signIn.lead': 'Service advisors and technicians sign in with their account.',
  'signIn.account': 'Mobile number or email',
  'signIn.accountHint': 'e.g. 0912 345 678 or name@shop.tw',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.comingSoon': 'Sign-in arrives in the next release',

  'status.label': 'System status',
  'status.checking': 'Checking system status…',
  'status.ok': 'All systems normal',
  'status.tableDown': 'Database unreachable',
  'status.bucketDown': 'File storage unreachable',
  'status.partDown': 'Some services unreachable',
  'status.unavailable': 'System temporarily unavailable',
  'status.unknown': 'System status unknown',
  'status.offline': 'Offline',
  'status.version': 'Version',
};
