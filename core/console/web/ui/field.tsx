/**
 * A labelled drop-down. The label is tied to the select by `for`/`id` rather than by wrapping
 * it: a label that wraps a select also carries the options' text, so "Framework" would read
 * (and be found) as "Framework memory fabric …".
 */
import type { ComponentChildren } from 'preact';

export function SelectField({ id, label, name, children }: { id: string; label: string; name: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        {children}
      </select>
    </div>
  );
}
