// One open walk-around: what the API last said, with the changes and photos still waiting in the
// write queue laid over it, so a tap shows at once, online or not. Each change is stamped with
// the moment of the tap (`changed_at`): a replay hours later loses to a newer change made on
// another tablet, field by field.
import { batch, computed, signal } from '@preact/signals';
import {
  addPhoto, changeInspection, getInspection, getOrderKept, getVehicle, inspectionPath, inspectionTemplate,
  shopSettings, warningLights,
} from './api';
import { remember } from './cache';
import { queue } from './client';
import { newId } from './format';
import { ApiError } from './http';
import {
  DEFAULT_SETTINGS, overlay, type Inspection, type Photo, type ShopSettings, type TemplateGroup, type TemplateItem, type WarningLight,
} from './inspection';
import { photoToSend } from './photos';
import type { FieldChange, QueuedWrite } from './queue';
import type { Order, Vehicle } from './types';

export interface ShownPhoto { photo_id: string; subject: string; url: string | null; synced: boolean }

export interface MileagePrompt { km: number; message: string; dismiss: () => void }

const changesOf = (write: QueuedWrite, path: string): FieldChange[] =>
  write.kind !== 'photo' && write.path === path ? ((write.body as { changes?: FieldChange[] })?.changes ?? []) : [];

const emptyInspection = (orderId: string): Inspection =>
  ({ order_id: orderId, values: {}, changed: {}, findings: {}, photos: [], editable: true });

export function openWalkaround(orderId: string) {
  const path = inspectionPath(orderId);
  const order = signal<Order | null>(null);
  const vehicle = signal<Vehicle | null>(null);
  const server = signal<Inspection | null>(null);
  const lights = signal<WarningLight[]>([]);
  const template = signal<TemplateItem[]>([]);
  const groups = signal<TemplateGroup[]>([]);
  const settings = signal<ShopSettings>(DEFAULT_SETTINGS);
  const loadError = signal<unknown>(null);
  /** A refusal of a change made on this screen (shown until the next change). */
  const error = signal<unknown>(null);
  const mileageRefused = signal<{ km: number; message: string } | null>(null);
  /** Object URLs of photos taken here or waiting in the queue, by photo id. */
  const localUrls = signal<Record<string, string>>({});

  const waitingChanges = computed(() => queue.writes.value.flatMap((write) => changesOf(write, path)));
  const waitingFields = computed(() => new Set(waitingChanges.value.map((change) => change.field)));
  const values = computed(() => overlay(server.value?.values ?? {}, waitingChanges.value));
  const waitingPhotos = computed(() => queue.writes.value.filter(
    (write): write is Extract<QueuedWrite, { kind: 'photo' }> => write.kind === 'photo' && write.order_id === orderId));
  const photos = computed<ShownPhoto[]>(() => {
    const stored = server.value?.photos ?? [];
    const known = new Set(stored.map((p) => p.photo_id));
    return [
      ...stored.map((p) => ({ photo_id: p.photo_id, subject: p.subject, url: p.thumb_url, synced: true })),
      ...waitingPhotos.value.filter((w) => !known.has(w.photo_id))
        .map((w) => ({ photo_id: w.photo_id, subject: w.subject, url: localUrls.value[w.photo_id] ?? null, synced: false })),
    ];
  });
  /** Writes of this order not yet answered: the screen's "not synced" count. */
  const unsynced = computed(() => waitingPhotos.value.length +
    queue.writes.value.filter((w) => w.kind !== 'photo' && w.path === path).length);
  /** A lower mileage refused during a replay (no screen was waiting) or just now. */
  const mileagePrompt = computed<MileagePrompt | null>(() => {
    if (mileageRefused.value) {
      return { ...mileageRefused.value, dismiss: () => void (mileageRefused.value = null) };
    }
    const failure = queue.failures.value.find((f) => f.error.code === 'mileage_lower' && f.write.kind !== 'photo' && f.write.path === path);
    const km = failure && changesOf(failure.write, path).find((c) => c.field === 'mileage_km')?.value;
    return failure && typeof km === 'number'
      ? { km, message: failure.error.message, dismiss: () => queue.dismiss(failure) }
      : null;
  });

  function adopt(inspection: Inspection): void {
    server.value = inspection;
    remember(`inspection/${orderId}`, inspection);
  }

  const stopListening = queue.onSent((write, answer) => {
    if (write.kind === 'photo') {
      if (write.order_id !== orderId || !server.value) return;
      const photo = answer as Photo;
      if (server.value.photos.some((p) => p.photo_id === photo.photo_id)) return;
      adopt({ ...server.value, photos: [...server.value.photos, photo] });
    } else if (write.path === path && answer && typeof answer === 'object') {
      const inspection = answer as Inspection;
      // The PATCH answer may leave photos out: keep those already known.
      const photosKnown = server.value?.photos ?? [];
      const photosAnswered = inspection.photos ?? [];
      const missing = photosKnown.filter((p) => !photosAnswered.some((a) => a.photo_id === p.photo_id));
      adopt({ ...inspection, photos: [...photosAnswered, ...missing] });
    }
  });

  async function load(): Promise<void> {
    try {
      const [loadedOrder, loadedLights, loadedTemplate, loadedSettings] = await Promise.all([
        getOrderKept(orderId), warningLights(), inspectionTemplate(),
        shopSettings().catch(() => DEFAULT_SETTINGS),
      ]);
      let inspection: Inspection;
      try {
        inspection = await getInspection(orderId);
      } catch (failure) {
        // No walk-around yet for this order: start an empty one.
        if (!(failure instanceof ApiError && failure.status === 404)) throw failure;
        inspection = emptyInspection(orderId);
      }
      batch(() => {
        order.value = loadedOrder;
        lights.value = loadedLights.lights;
        template.value = loadedTemplate.items;
        groups.value = loadedTemplate.groups ?? [];
        settings.value = { ...DEFAULT_SETTINGS, ...loadedSettings };
        server.value = inspection;
      });
      getVehicle(loadedOrder.vehicle.vehicle_id).then((v) => void (vehicle.value = v), () => undefined);
      // Photos still waiting from an earlier visit: show them from their kept bytes.
      for (const write of waitingPhotos.value) {
        if (localUrls.value[write.photo_id]) continue;
        const blob = await queue.photoBlob(write.photo_id).catch(() => undefined);
        if (blob) localUrls.value = { ...localUrls.value, [write.photo_id]: URL.createObjectURL(blob) };
      }
    } catch (failure) {
      loadError.value = failure;
    }
  }

  /** Record changes made by one tap; `alone` sends them in a request of their own. */
  function change(entries: [string, unknown][], options: { alone?: boolean; confirmLower?: boolean } = {}): void {
    const changedAt = new Date().toISOString();
    const changes: FieldChange[] = entries.map(([name, value]) => ({
      field: name, value, changed_at: changedAt, ...(options.confirmLower ? { confirm_lower: true } : {}),
    }));
    error.value = null;
    changeInspection(orderId, changes, { alone: options.alone }).catch((failure: unknown) => {
      if (failure instanceof ApiError && failure.code === 'mileage_lower') {
        const km = entries.find(([name]) => name === 'mileage_km')?.[1];
        if (typeof km === 'number') mileageRefused.value = { km, message: failure.message };
        return;
      }
      error.value = failure;
    });
  }

  const set = (name: string, value: unknown) => change([[name, value]]);

  function setMileage(km: number, confirmLower = false): void {
    mileagePrompt.value?.dismiss();
    change([['mileage_km', km]], { alone: true, confirmLower });
  }

  /** Shrink a photo on the tablet and queue it; it shows at once from its local bytes. */
  async function takePhoto(photoSubject: string, file: Blob): Promise<void> {
    error.value = null;
    let blob: Blob;
    try {
      blob = await photoToSend(file);
    } catch (failure) {
      error.value = failure;
      return;
    }
    const photoId = newId();
    localUrls.value = { ...localUrls.value, [photoId]: URL.createObjectURL(blob) };
    addPhoto(orderId, photoId, photoSubject, blob).catch((failure: unknown) => void (error.value = failure));
  }

  /** A photo taken by mistake, once uploaded: gone from the screen at once, deleted when sent. */
  function removePhoto(photoId: string): void {
    error.value = null;
    if (server.value) adopt({ ...server.value, photos: server.value.photos.filter((p) => p.photo_id !== photoId) });
    queue.submit('DELETE', `/api/orders/${encodeURIComponent(orderId)}/photos/${encodeURIComponent(photoId)}`)
      .catch((failure: unknown) => {
        error.value = failure;
        void load(); // refused (the walk-around froze meanwhile): the photo is shown again
      });
  }

  function close(): void {
    stopListening();
    for (const url of Object.values(localUrls.value)) URL.revokeObjectURL(url);
  }

  void load();
  return {
    order, vehicle, server, lights, template, groups, settings, loadError, error, values, waitingFields, photos, unsynced,
    mileagePrompt, set, change, setMileage, takePhoto, removePhoto, close,
  };
}

export type Walkaround = ReturnType<typeof openWalkaround>;
