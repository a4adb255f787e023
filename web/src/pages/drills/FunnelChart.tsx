import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { describeFunnel, passRate, type Funnel } from './funnel';

const ROW = 58;
const BAR_Y = 24;
const BAR_HEIGHT = 14;

/** The element's width in CSS pixels, kept current: the chart draws at 1:1 so its text stays readable on a phone. */
function useWidth<T extends HTMLElement>(initial: number) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(initial);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(240, Math.round(element.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

interface Row {
  key: string;
  label: string;
  total: string;
  /** Segments of the bar, left to right. */
  segments: { value: number; tone: 'go' | 'stopped' | 'through' }[];
  note: ReactNode;
}

function rowsOf(funnel: Funnel): Row[] {
  const left = [funnel.inconclusive && `${funnel.inconclusive} inconclusive`, funnel.undecided && `${funnel.undecided} undecided`].filter(Boolean);
  return [
    {
      key: 'scored',
      label: 'Drills scored',
      total: String(funnel.scored),
      segments: [{ value: funnel.scored, tone: 'go' }],
      note: <tspan className="drl-muted">{left.length ? `not counted: ${left.join(', ')}` : 'every drill in the selection was decided'}</tspan>,
    },
    ...funnel.stages.map((s): Row => ({
      key: s.key,
      label: s.label,
      total: `${s.reached} reached`,
      segments: [
        { value: s.reached - s.stopped - s.gotThrough, tone: 'go' },
        { value: s.stopped, tone: 'stopped' },
        { value: s.gotThrough, tone: 'through' },
      ],
      note: (
        <>
          <tspan className="drl-text-stopped">{s.stopped} stopped here</tspan>
          <tspan className="drl-muted"> · </tspan>
          <tspan className="drl-text-through">{s.gotThrough} got through here</tspan>
        </>
      ),
    })),
    {
      key: 'through',
      label: 'Got through',
      total: `${funnel.gotThrough} of ${funnel.scored}`,
      segments: [{ value: funnel.gotThrough, tone: 'through' }],
      note: <tspan className="drl-muted">{`pass rate ${passRate(funnel.scored - funnel.gotThrough, funnel.gotThrough)}`}</tspan>,
    },
  ];
}

/** Where drills were stopped or got through, drawn by hand: one bar per stage, left-aligned so it narrows like a funnel. */
export function FunnelChart({ funnel, scope }: { funnel: Funnel; scope: string }) {
  const [ref, width] = useWidth<HTMLDivElement>(640);
  const rows = rowsOf(funnel);
  const scale = width / Math.max(funnel.scored, 1);
  const height = rows.length * ROW;
  return (
    <div ref={ref} className="drl-funnel-chart">
      <svg className="drl-funnel-svg" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={describeFunnel(funnel, scope)}>
        {rows.map((row, index) => {
          let x = 0;
          return (
            <g key={row.key} transform={`translate(0 ${index * ROW})`} data-stage={row.key}>
              <text x={0} y={16} className="drl-stage-label">
                {row.label}
              </text>
              <text x={width} y={16} textAnchor="end" className="drl-stage-total">
                {row.total}
              </text>
              <rect x={0} y={BAR_Y} width={width} height={BAR_HEIGHT} rx={3} className="drl-bar-track" />
              {row.segments.map((segment) => {
                const w = segment.value * scale;
                const rect = w > 0 ? <rect key={segment.tone} x={x} y={BAR_Y} width={w} height={BAR_HEIGHT} className={`drl-bar-${segment.tone}`} /> : null;
                x += w;
                return rect;
              })}
              <text x={0} y={BAR_Y + BAR_HEIGHT + 15} className="drl-stage-note">
                {row.note}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
