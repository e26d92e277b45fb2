import React, { type ChangeEvent, type FormEvent, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, useStyles2 } from '@grafana/ui';
import type { AppJsonData } from '../../constants';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

interface State {
  retrainUrl: string;
  exporterUrl: string;
  retrainToken: string;
  isTokenSet: boolean;
}

const isHttpUrl = (s: string): boolean => /^https?:\/\/[^\s/]+/.test(s);
const urlError = (value: string) => (value && !isHttpUrl(value) ? 'Use an http:// or https:// URL' : undefined);

interface UrlFieldProps {
  name: 'exporterUrl' | 'retrainUrl';
  id: string;
  label: string;
  description: string;
  placeholder: string;
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
  className?: string;
}

/** A URL setting: the input, and the error while it is not an http(s) URL. */
const UrlField = ({ name, id, label, description, placeholder, value, onChange, className }: UrlFieldProps) => (
  <Field
    label={label}
    description={description}
    invalid={Boolean(urlError(value))}
    error={urlError(value)}
    className={className}
  >
    <Input width={60} name={name} id={id} value={value} placeholder={placeholder} onChange={onChange} />
  </Field>
);

/** Settings page: where Grafana's server finds the exporter and the retrain endpoint, and the retrain token. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [state, setState] = useState<State>({
    retrainUrl: jsonData?.retrainUrl ?? '',
    exporterUrl: jsonData?.exporterUrl ?? '',
    retrainToken: '',
    isTokenSet: Boolean(secureJsonFields?.retrainToken),
  });
  const [error, setError] = useState<string | null>(null);

  const invalid =
    Boolean(urlError(state.retrainUrl) || urlError(state.exporterUrl)) ||
    (Boolean(state.retrainUrl) && !state.isTokenSet && state.retrainToken.length < 16);

  const onChange = (event: ChangeEvent<HTMLInputElement>) =>
    setState({ ...state, [event.target.name]: event.target.value.trim() });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid) {
      return;
    }
    try {
      await updatePlugin(plugin.meta.id, {
        enabled,
        pinned,
        jsonData: {
          retrainUrl: state.retrainUrl.replace(/\/+$/, ''),
          exporterUrl: state.exporterUrl.replace(/\/+$/, ''),
        },
        // Write the secret only when it was (re)entered: Grafana never sends it back to the browser.
        secureJsonData: state.isTokenSet ? undefined : { retrainToken: state.retrainToken },
      });
      window.location.reload();
    } catch (e) {
      setError(`Saving failed: ${(e as Error).message ?? String(e)}`);
    }
  };

  return (
    <form onSubmit={onSubmit}>
      {error && <Alert title={error} severity="error" />}
      <FieldSet label="Plumbline services">
        <UrlField
          name="exporterUrl"
          id="config-exporter-url"
          label="Exporter URL"
          description="Base URL of the Plumbline exporter as Grafana's server reaches it (the drift panel reads its /api)."
          placeholder="http://plumbline-exporter:9464"
          value={state.exporterUrl}
          onChange={onChange}
        />
        <UrlField
          name="retrainUrl"
          id="config-retrain-url"
          label="Retrain endpoint URL"
          description="The exporter's retrain endpoint. Only Editors and Admins can trigger it; Grafana adds the token server-side."
          placeholder="http://plumbline-exporter:9464/api/retrain"
          value={state.retrainUrl}
          onChange={onChange}
          className={s.marginTop}
        />
        <Field
          label="Retrain token"
          description="The exporter's API token (PLUMBLINE_API_TOKEN, or its alias PLUMBLINE_RETRAIN_TOKEN), at least 16 characters: sent with retrain requests and review-queue calls. Stored encrypted; never sent to browsers."
          className={s.marginTop}
        >
          <SecretInput
            width={60}
            id="config-retrain-token"
            name="retrainToken"
            value={state.retrainToken}
            isConfigured={state.isTokenSet}
            placeholder="Retrain token"
            onChange={onChange}
            onReset={() => setState({ ...state, retrainToken: '', isTokenSet: false })}
          />
        </Field>
        <div className={s.marginTop}>
          <Button type="submit" disabled={invalid}>
            Save settings
          </Button>
        </div>
      </FieldSet>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css({ marginTop: theme.spacing(3) }),
});

async function updatePlugin(pluginId: string, data: Partial<PluginMeta<AppJsonData>>) {
  return lastValueFrom(getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data }));
}
