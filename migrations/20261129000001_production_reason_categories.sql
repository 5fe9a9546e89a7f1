-- Reason trees: a reason belongs to a category (a branch: "Averías" → mechanical, electrical failure), or stands on its
-- own (a category of one). The Pareto groups stops by category as well as by reason or line; the classification list
-- groups reasons under their categories.
alter table production_reasons add column category text
    constraint production_reasons_category_check check (category is null or length(category) between 1 and 60);

select set_config('app.platform', 'on', true);
-- The Pareto widget's grouping gains "category".
update production_widgets
set param_schema = jsonb_set(param_schema, '{properties,by,enum}', '["reason", "category", "line"]')
where kind = 'downtime_pareto';

-- The demo plant's reasons in their branches (a plant's own reasons are its to sort).
update production_reasons r set category = c.category
from (values ('CAMBIO', 'Preparación'), ('MTTO-PLAN', 'Mantenimiento'), ('FALLA-MEC', 'Averías'),
             ('FALLA-ELE', 'Averías'), ('MATERIAL', 'Logística'), ('CALIDAD', 'Calidad')) c(code, category)
where r.code = c.code and r.tenant_id = (select id from tenants where name = 'Planta Demo');
select set_config('app.platform', '', true);
