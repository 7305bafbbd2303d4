// The dashboard's warning lights: one tap toggles a light, one tap says none is lit.
import { locale, t, tf } from '../../i18n';
import { field, LIGHT_CODES, type WarningLight } from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';
import { LightIcon } from '../lights/icons';

export function Lights({ w, editable }: { w: Walkaround; editable: boolean }) {
  const values = w.values.value;
  // The catalogue's order and colours; the codes this build draws when the catalogue is not loaded.
  const lights: WarningLight[] = w.lights.value.length ? w.lights.value
    : LIGHT_CODES.map((code) => ({ code, colour: 'amber', zh: code, en: code }));
  const lit = lights.filter((light) => values[field.light(light.code)] === true).map((light) => light.code);
  const noneLit = values[field.lightsNone] === true && lit.length === 0;
  const english = locale.value === 'en';

  function toggle(code: string) {
    if (lit.includes(code)) w.set(field.light(code), false);
    else w.change(values[field.lightsNone] === true
      ? [[field.light(code), true], [field.lightsNone, false]]
      : [[field.light(code), true]]);
  }

  return (
    <>
      <div class="section-tools">
        <p class="muted">{lit.length ? tf('walk.litCount', { n: lit.length }) : t('walk.lightsLead')}</p>
        <button type="button" class="toggle-none" aria-pressed={noneLit} disabled={!editable}
          onClick={() => w.change([[field.lightsNone, true], ...lit.map((code) => [field.light(code), false] as [string, unknown])])}>
          {t('walk.lightsNone')}
        </button>
      </div>
      <ul class="lights">
        {lights.map((light) => {
          const on = lit.includes(light.code);
          return (
            <li key={light.code}>
              <button type="button" class={`light light-${light.colour}`} aria-pressed={on} disabled={!editable}
                data-code={light.code} onClick={() => toggle(light.code)}>
                <LightIcon code={light.code} />
                <span class="light-name">{english ? light.en : light.zh}</span>
                <span class="light-other" aria-hidden="true">{english ? light.zh : light.en}</span>
                {on && <span class="light-on" aria-hidden="true">{t('walk.lit')}</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </>
  );
}
