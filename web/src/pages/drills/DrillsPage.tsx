import { useState } from 'react';
import { useLoad } from '../../components/use-load';
import { CampaignReport, fetchReport } from './CampaignReport';
import { DrillList } from './DrillList';
import { ScenarioForm } from './ScenarioForm';

/** The drill runner's screen: start drills from scenarios, follow them, read each campaign's results. */
export function DrillsPage() {
  // Bumped when a drill is created: the list, the campaign choices and the report read again.
  const [version, setVersion] = useState(0);
  const campaigns = useLoad(async () => (await fetchReport()).campaigns.map((c) => c.campaign).sort(), [version]);
  return (
    <div className="drl-page">
      <header className="drl-page-head">
        <h1>Drills</h1>
        <p className="muted">
          Social-engineering drills enter the agents’ queue as ordinary tickets. They are scored from what staff did: stopped (passed) or got through (failed).
        </p>
      </header>
      <ScenarioForm onCreated={() => setVersion((v) => v + 1)} />
      <DrillList campaigns={campaigns.data ?? []} version={version} />
      <CampaignReport campaigns={campaigns.data ?? []} version={version} />
    </div>
  );
}
