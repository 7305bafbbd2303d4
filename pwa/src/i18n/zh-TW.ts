// The reference catalogue: its keys are the type every other language must match.
export const zhTW = {
  'app.name': 'ServiceLane',
  'app.tagline': '服務接待',
  'language.switch': 'English',
  'language.switchLabel': '切換為英文',

  'signIn.title': '登入',
  'signIn.lead': '服務顧問與技師請以帳號登入。',
  'signIn.account': '手機號碼或電子郵件',
  'signIn.accountHint': '例：0912 345 678 或 name@shop.tw',
  'signIn.password': '密碼',
  'signIn.submit': '登入',
  'signIn.comingSoon': '登入功能將於下一版開放',

  'status.label': '系統狀態',
  'status.checking': '正在檢查系統狀態…',
  'status.ok': '系統正常',
  'status.tableDown': '資料庫無法連線',
  'status.bucketDown': '檔案儲存無法連線',
  'status.partDown': '部分服務無法連線',
  'status.unavailable': '系統暫時無法使用',
  'status.unknown': '無法取得系統狀態',
  'status.offline': '離線中',
  'status.version': '版本',
} as const;

export type MessageKey = keyof typeof zhTW;
export type Messages = Record<MessageKey, string>;
