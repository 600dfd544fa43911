-- 006: the product (the brand's presentation) a patient is on, on every treatment event
-- after the diagnosis (NULL on the diagnosis).

ALTER TABLE treatment_events ADD COLUMN product text;
ALTER TABLE treatment_events ADD CONSTRAINT treatment_events_product_check CHECK (product IN ('Remibrutinib 25 mg', 'Fabhalta 200 mg', 'Kisqali 600 mg', 'Kisqali 400 mg', 'Kisqali 200 mg', 'Kisqali Femara Co-Pack'));
